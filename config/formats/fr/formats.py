# French: "7 déc. 2026, 14:05"; numbers "1 234,50" (non-breaking space).
DATE_FORMAT = "j N Y"  # 7 déc. 2026 (N: French abbreviations with a dot)
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j N Y, H:i"  # 7 déc. 2026, 14:05
YEAR_MONTH_FORMAT = "F Y"  # décembre 2026
MONTH_DAY_FORMAT = "j F"  # 7 décembre
SHORT_DATE_FORMAT = "d/m/Y"  # 07/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 07/12/2026 14:05
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 07/12/2026
    "%d/%m/%y",  # 07/12/26
    "%Y-%m-%d",  # 2026-12-07 (the browser's date picker)
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
