"""Every user-facing string the bot sends, in Telegram HTML; values are escaped by the caller."""

from __future__ import annotations

from newsbrief.bot.delivery import plain_text

WELCOME = (
    "<b>Welcome to newsbrief.</b>\n"
    "Short briefs of the news with the key quotes, on demand or once a day.\n\n"
    "Tap the topics you want in your daily brief (every day at {time}, {zone}), "
    "or send /help to see everything I can do."
)
WELCOME_SUBSCRIBED = "<b>Welcome to newsbrief.</b>\nYou now get <b>{topic}</b> in your daily brief."

HELP = (
    "<b>Topics</b>\n"
    "/topics – every topic, tap to subscribe or unsubscribe\n"
    "{topic_commands}\n\n"
    "<b>Your daily brief</b>\n"
    "/subscribe <i>topic</i>, /unsubscribe <i>topic</i> – choose topics\n"
    "/mytopics – what you get\n"
    "/digest – all your topics now\n"
    "/follow <i>words</i>, /unfollow [<i>words</i>] – follow words of your own\n"
    "/settime <i>HH:MM</i> – when it comes (7pm works too)\n"
    "/timezone <i>city</i> – your time zone (Berlin, Europe/Berlin, UTC+3)\n"
    "/pause, /resume – stop and restart the daily brief\n"
    "/stop – forget everything about you\n\n"
    "<b>Who said what</b>\n"
    "/quotes <i>name</i> – the latest key quotes of a person\n\n"
    "<b>In any chat</b>\n"
    "Type <code>@{bot} syria</code>, <code>@{bot} oil prices</code> or "
    "<code>@{bot} quotes Putin</code> to share the latest briefs or quotes."
)
TOPIC_LINE = "/{command} – {title}"

TOPICS = "<b>Topics</b>\nTap one to add it to your daily brief or take it out."
TOGGLE_ON = "✅ {title}"
TOGGLE_OFF = "➕ {title}"
TOGGLED_ON = "{title} added to your daily brief."
TOGGLED_OFF = "{title} taken out of your daily brief."
ALREADY_ON = "{title} is already in your daily brief."
ALREADY_OFF = "{title} was not in your daily brief."
BUTTON_STALE = "That button no longer works. Send /topics for fresh ones."
BUTTONS_REFRESHED = "Those buttons were old: here they are as they stand. Tap again."

SUBSCRIBE_USAGE = "Which topic? For example: <code>/subscribe {example}</code>. See /topics."
UNSUBSCRIBE_USAGE = "Which topic? For example: <code>/unsubscribe {example}</code>."
UNKNOWN_TOPIC = (
    "There is no topic called <b>{name}</b>. See /topics, or follow words of your own with "
    "<code>/follow {name}</code>."
)
SUBSCRIBED = "<b>{title}</b> is now in your daily brief (every day at {time}, {zone})."
ALREADY_SUBSCRIBED = "<b>{title}</b> is already in your daily brief."
QUIET_TOPIC = (
    "\n\nThere has been no news on <b>{title}</b> in the last {days} days, so your daily brief "
    "will skip it until there is."
)
UNSUBSCRIBED = "<b>{title}</b> is no longer in your daily brief."
NOT_SUBSCRIBED = "<b>{title}</b> was not in your daily brief."

MY_TOPICS = (
    "<b>Your daily brief</b> – every day at {time}, {zone}{paused}\n"
    "Topics: {topics}\n"
    "Words you follow: {words}"
)
MY_TOPICS_PAUSED = " (paused: /resume to restart it)"
MY_TOPICS_EMPTY = "\n\nNothing is chosen yet: send /topics to pick topics, or /follow words."
NOTHING_CHOSEN = "none yet"
NO_TOPICS_YET = "You have no topics yet. Send /topics to choose some, or /follow words."

SETTIME_USAGE = (
    "Send the time, for example <code>/settime 07:30</code> or <code>/settime 7pm</code>."
)
TIME_SET = "Your daily brief now comes every day at {time}, {zone}."
BAD_TIME = "I could not read <b>{text}</b> as a time. Try 07:30, 19:00 or 7pm."

TIMEZONE_USAGE = (
    "Your time zone is <b>{zone}</b>. To change it send a city, a zone or an offset, "
    "for example <code>/timezone Berlin</code>, <code>/timezone Europe/Berlin</code> or "
    "<code>/timezone UTC+3</code>."
)
TIMEZONE_SET = "Your time zone is now <b>{zone}</b>: your daily brief comes at {time} there."
TIMEZONE_UNKNOWN = "I do not know the time zone <b>{text}</b>."
TIMEZONE_SUGGEST = "I do not know the time zone <b>{text}</b>. Did you mean {suggestions}?"
SUGGESTION = "<code>{zone}</code> ({offset})"

FOLLOW_USAGE = (
    "Which words? For example <code>/follow solar power</code>; separate alternatives with commas."
)
FOLLOW_TOO_SHORT = (
    "<b>{phrases}</b> would match nearly every story: give each word at least {chars} letters "
    "or digits."
)
FOLLOWING = "You now follow <b>{words}</b>: stories that mention them come in your daily brief."
ALREADY_FOLLOWING = "You already follow <b>{words}</b>."
TOO_MANY_FOLLOWS = "You follow {count} sets of words already; /unfollow some first."
UNFOLLOWED = "You no longer follow <b>{words}</b>."
UNFOLLOWED_ALL = "You no longer follow any words."
NOT_FOLLOWING = "You do not follow <b>{words}</b>."
NOTHING_FOLLOWED = "You do not follow any words."

PAUSED = "Your daily brief is paused. Send /resume to restart it."
ALREADY_PAUSED = "Your daily brief is already paused."
RESUMED = "Your daily brief is back: next at {time}, {zone}."
NOT_PAUSED = "Your daily brief is not paused: it comes every day at {time}, {zone}."
STOP_CONFIRM = (
    "Forget everything about this chat: its topics, followed words and schedule? "
    "This cannot be undone."
)
STOP_YES = "Yes, forget it all"
STOP_NO = "No, keep it"
STOPPED = "Done: I have forgotten everything about you. Send /start to begin again."
STOP_CANCELLED = "Nothing was forgotten: your daily brief stays as it was."
NOTHING_TO_STOP = "I had nothing stored about you."

GROUP_ADMINS_ONLY = "Only this group's administrators can change its daily brief."

PAGE_BACK = "‹ Back"
PAGE_MORE = "More › {page}/{pages}"

QUOTES_USAGE = "Whose quotes? For example <code>/quotes Putin</code>."
NO_QUOTES = "I have no quotes of <b>{name}</b> in the stories I keep."
SAID_HEADER = "<b>{name}</b> – latest quotes"
SAID_ITEM = "\n\n{quote}\n<i>{where}</i>"
SAID_ONE = "<b>{speaker}</b>\n{quote}\n<i>{where}</i>"
SAID_WHERE = "— {story}{outlets} · {age}"
SAID_OUTLETS = " ({outlets})"

INLINE_SUMMARY = "{age} · {brief}"
INLINE_NO_STORIES = "No stories on {words} yet: open the bot"
INLINE_NO_QUOTES = "No quotes of {name} yet: open the bot"

ADDFEED_USAGE = (
    "Which feed? For example <code>/addfeed https://example.com/rss.xml</code>, "
    "optionally followed by a topic."
)
REMOVEFEED_USAGE = "Which feed? For example <code>/removefeed https://example.com/rss.xml</code>."
FEED_ADDED = (
    "Subscribed to <b>{title}</b>{topic}: {entries} entries now, polled from now on.\n{url}"
)
FEED_TOPIC = " (topic {title})"
FEED_REFUSED = "I cannot add {url}: {reason}"
FEED_REMOVED = "Removed {url}."
FEED_IN_SETTINGS = " It is in the settings too, so it comes back at the next poll: remove it there."
NO_SUCH_FEED = "There is no feed {url}. /feeds lists them."

CHAT_NO_BUTTONS = "(There are no buttons to press yet.)"
CHAT_NO_SUCH_BUTTON = "(There is no button {number}: the last buttons were 1 to {last}.)"

SHOWN_ABOVE = "{topic}: see the stories above."

DAILY_HEADER = "<b>Your daily brief</b> – {date}"
DIGEST_NOTHING = "Nothing new for your topics right now."

# Digests, as plain text: the renderer escapes them and adds the formatting.
NOTHING_NEW = plain_text.NOTHING_NEW  # one string for the terminal and for Telegram
UNTITLED = "Untitled"
META_SEPARATOR = " · "
QUOTE = "“{text}”"
QUOTE_DASH = "— "
# A quote's attribution when its speaker is not clear: outlets never stand in for one.
QUOTED_IN = "quoted in {outlets}"
# A source with no outlet known and no link: a file name is never shown as an outlet.
UNNAMED_SOURCE = "unnamed source"
AGE = {"minutes": "{count} min ago", "hours": "{count} h ago", "days": "{count} days ago"}
AGE_ONE = {"minutes": "1 min ago", "hours": "1 h ago", "days": "yesterday"}
AGE_NOW = "just now"
AGE_DATE = "{day} {month}"
AGE_DATE_YEAR = "{day} {month} {year}"

UNKNOWN_COMMAND = "I do not know that command. Send /help to see what I can do."
FREE_TEXT = (
    "I answer commands. Send /topics to choose topics, "
    "<code>/follow {words}</code> to follow these words, or /help for everything."
)
TOO_LONG = "That is too long for me: keep it under {limit} characters."
SLOW_DOWN = "You are sending commands faster than I can answer. Wait a few seconds, please."
SORRY = "Something went wrong on my side. Please try again in a minute."

FEEDS = "<b>Feeds</b>\n{feeds}\n\n<b>Article folder</b>\n{folder}\n\n<b>Last ingest</b>\n{last}"
NO_FEEDS = "no feeds yet: add one with <code>/addfeed URL</code>"
FEED_LINE = (
    "{state} {url}\n   last success {success}; {failures} failures in a row; next poll {next}"
)
FEED_DISABLED = "⚠️ Feed disabled: {url}\n{reason}"
FOLDER_BUSY = "another worker is scanning the folder"
NEVER_INGESTED = "none since the bot started"
REFRESHING = "Polling the feeds and reading the article folder now…"
REFRESH_BUSY = "An ingest is already running."
REFRESHED = "<b>Ingest done</b>\n{report}"
STATS = (
    "<b>Stats</b>\n"
    "Subscribers: {subscribers} ({active} reachable, {paused} paused)\n"
    "Topic subscriptions: {subscriptions}; followed word sets: {followed}\n"
    "Daily briefs sent in all: {digests_sent}\n"
    "Daily briefs in the last 24 hours: {recent}\n"
    "Articles stored: {articles}"
)

COMMAND_DESCRIPTIONS = {
    "start": "Welcome, and choose topics",
    "help": "What I can do",
    "topics": "Every topic, tap to subscribe",
    "mytopics": "Your topics and schedule",
    "digest": "All your topics now",
    "subscribe": "Add a topic to your daily brief",
    "unsubscribe": "Take a topic out of your daily brief",
    "follow": "Follow words of your own",
    "unfollow": "Stop following words",
    "settime": "When your daily brief comes (HH:MM, 7pm)",
    "timezone": "Your time zone (city, Area/City, UTC+3)",
    "pause": "Pause the daily brief",
    "resume": "Restart the daily brief",
    "stop": "Forget everything about me",
    "feeds": "Feeds and the last ingest (admin)",
    "refresh": "Ingest now (admin)",
    "stats": "Subscribers and deliveries (admin)",
    "addfeed": "Subscribe to a feed (admin)",
    "removefeed": "Unsubscribe from a feed (admin)",
    "quotes": "The latest quotes of a person",
}
TOPIC_DESCRIPTION = "Latest on {title}"
