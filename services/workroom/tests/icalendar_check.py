"""Parses an iCalendar file with the independent `icalendar` package (PyPI) and prints, as JSON,
each event's UID, summary, category, start as a UTC instant and duration in minutes. Used by the
workroom's calendar test: what the service exports must mean the same to another parser.

A zoned start is resolved twice: by its IANA name (`start_utc`, as Google Calendar does) and by the
calendar's own VTIMEZONE for that TZID alone (`start_utc_vtimezone`, as a strict RFC 5545 reader
such as Outlook does). `missing_tzids` lists the TZIDs used without a VTIMEZONE."""
import datetime
import json
import sys

import icalendar
from icalendar.timezone import tzp

with open(sys.argv[1], "rb") as f:
    calendar = icalendar.Calendar.from_ical(f.read())

# Each VTIMEZONE as a tzinfo built from its own observances, never looked up by name.
own_zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}
used = set()

events = []
for component in calendar.walk("VEVENT"):
    start = component.decoded("DTSTART")
    tzid = component.get("DTSTART").params.get("TZID")
    by_vtimezone = ""
    if tzid:
        used.add(tzid)
        if tzid in own_zones:
            naive = component.get("DTSTART").dt.replace(tzinfo=None)
            local = tzp.localize(naive, own_zones[tzid])
            by_vtimezone = local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    duration = component.get("DURATION")
    categories = component.get("CATEGORIES")
    events.append({
        "uid": str(component.get("UID")),
        "summary": str(component.get("SUMMARY")),
        "category": categories.to_ical().decode() if categories is not None else "",
        "tzid": tzid or "",
        "start_utc": start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_utc_vtimezone": by_vtimezone,
        "minutes": int(duration.dt.total_seconds() // 60) if duration is not None else 0,
    })
print(json.dumps({
    "version": str(calendar.get("VERSION")),
    "events": events,
    "missing_tzids": sorted(used - set(own_zones)),
    "vtimezones": sorted(own_zones),
}))
