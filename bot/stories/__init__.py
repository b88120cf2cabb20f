"""Stories: articles about one event grouped, composed into a brief, and filed under topics."""
