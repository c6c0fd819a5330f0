"""Parses an iCalendar file with the independent `icalendar` package (PyPI) and prints, as JSON,
each event's UID, summary, category, start as a UTC instant and duration in minutes. Used by the
workroom's calendar test: what the service exports must mean the same to another parser."""
import datetime
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as f:
    calendar = icalendar.Calendar.from_ical(f.read())

events = []
for component in calendar.walk("VEVENT"):
    start = component.decoded("DTSTART")
    duration = component.get("DURATION")
    categories = component.get("CATEGORIES")
    events.append({
        "uid": str(component.get("UID")),
        "summary": str(component.get("SUMMARY")),
        "category": categories.to_ical().decode() if categories is not None else "",
        "start_utc": start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "minutes": int(duration.dt.total_seconds() // 60) if duration is not None else 0,
    })
print(json.dumps({"version": str(calendar.get("VERSION")), "events": events}))
