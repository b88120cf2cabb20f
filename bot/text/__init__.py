"""The text engine: plain strings in; sentences, briefs, quotes and speakers out."""
