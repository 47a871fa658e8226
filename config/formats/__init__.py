"""Date, time and number formats per language (FORMAT_MODULE_PATH).

One format per locale for what staff read: "7 Dec 2026, 14:05" in English,
"7 déc. 2026, 14:05" in French; money goes through core.money.
"""
