"""Words and patterns for dates and times (used only through cards.when)."""

NB = {
    "when.weekdays": "mandag,tirsdag,onsdag,torsdag,fredag,lørdag,søndag",
    "when.weekdays_short": "man.,tir.,ons.,tor.,fre.,lør.,søn.",
    "when.months": "januar,februar,mars,april,mai,juni,juli,august,september,oktober,november,desember",
    "when.months_short": "jan.,feb.,mars,april,mai,juni,juli,aug.,sep.,okt.,nov.,des.",
    "when.day": "{weekday} {day}. {month}",
    "when.day_year": "{weekday} {day}. {month} {year}",
    "when.clock": "{hh}.{mm}",
    "when.at": "{date} kl. {time}",
    "when.span": "{date} kl. {start}–{end}",
}

EN = {
    "when.weekdays": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    "when.weekdays_short": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "when.months": "January,February,March,April,May,June,July,August,September,October,November,December",
    "when.months_short": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
    "when.day": "{weekday} {day} {month}",
    "when.day_year": "{weekday} {day} {month} {year}",
    "when.clock": "{hh}:{mm}",
    "when.at": "{date} at {time}",
    "when.span": "{date}, {start}–{end}",
}
