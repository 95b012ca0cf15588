"""Supervisors' figures: arrivals, service, waits and no-shows per day, week, month, weekday,
service, counter, officer and priority group; the daily closing report; the peak-hour heatmap.

`figures` is pure (visits in, numbers out); `visits` reads them from the tickets table, the
projection of the ticket event log (tests rebuild the same figures from the raw events).
"""
