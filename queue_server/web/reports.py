"""Report pages for supervisors: figures by period or group with the peak-hour heatmap, CSV and
XLSX exports, and the printable daily closing report."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server.api.access import SUPERVISORS, allow
from queue_server.api.deps import Context, Ctx
from queue_server.domain.staffing import advise, counters_needed
from queue_server.i18n import N_, normalize_lang, translate
from queue_server.reports.figures import GROUPINGS, Figures, days, figures, grouped, heatmap
from queue_server.reports.visits import visits
from queue_server.services.auth import Principal, Role
from queue_server.services.consultation import Consultations
from queue_server.web.staff import PRIORITY_WORDS, _office, report_period, signed_in
from queue_server.web.templating import TEMPLATE_DIR, templates
from queue_server.web.texts import WEEKDAY_WORDS

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)

GROUP_WORDS: dict[str, str] = {
    "day": N_("Hari"),
    "week": N_("Pekan"),
    "month": N_("Bulan"),
    "weekday": N_("Hari dalam minggu"),
    "service": N_("Layanan"),
    "counter": N_("Loket"),
    "officer": N_("Petugas"),
    "priority": N_("Jalur prioritas"),
}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("arrived", N_("Datang")),
    ("served", N_("Dilayani")),
    ("served_pct", N_("% dilayani")),
    ("no_shows", N_("Tidak hadir")),
    ("cancelled", N_("Batal")),
    ("expired", N_("Tidak terlayani")),
    ("transfers", N_("Dialihkan")),
    ("wait_avg", N_("Tunggu rata-rata (menit)")),
    ("wait_median", N_("Tunggu median")),
    ("wait_p90", N_("Tunggu P90")),
    ("wait_max", N_("Tunggu maks")),
    ("above_target", N_("Di atas target")),
    ("above_target_pct", N_("% di atas target")),
    ("service_avg", N_("Layanan rata-rata (menit)")),
    ("service_max", N_("Layanan maks")),
)


def _supervisor(ctx: Context, request: Request) -> Principal | None:
    who = signed_in(ctx, request)
    return who if who is not None and who.role in (Role.ADMIN, Role.SUPERVISOR) else None


def _cell(value: float | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _label(by: str, key: object, lang: str) -> str:
    if key is None:
        return translate(N_("(belum dipanggil)"), lang)
    if by == "weekday" and isinstance(key, int):
        return translate(WEEKDAY_WORDS[key], lang)
    if by == "priority":
        return translate(PRIORITY_WORDS.get(str(key), str(key)), lang)
    if by == "counter":
        return translate(N_("Loket {n}"), lang, n=key)
    return str(key)


def _rows(by: str, groups: dict[object, Figures], total: Figures, lang: str) -> list[list[str]]:
    rows = [
        [_label(by, key, lang), *(_cell(getattr(f, c)) for c, _ in COLUMNS)]
        for key, f in groups.items()
    ]
    rows.append([translate(N_("Jumlah"), lang), *(_cell(getattr(total, c)) for c, _ in COLUMNS)])
    return rows


def _report(
    ctx: Context,
    request: Request,
    office: str | None,
    start: str | None,
    end: str | None,
    by: str,
    lang: str | None,
) -> dict[str, Any] | Response:
    who = _supervisor(ctx, request)
    if who is None:
        return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    first, last = report_period(ctx, found.id, start, end)
    grouping = by if by in GROUPINGS else "day"
    with ctx.queue.db.read() as conn:
        all_visits = visits(conn, found.id, first, last)
    header = [translate(GROUP_WORDS[grouping], language)] + [
        translate(w, language) for _, w in COLUMNS
    ]
    return {
        "who": who,
        "lang": language,
        "office": found,
        "start": first,
        "end": last,
        "by": grouping,
        "header": header,
        "rows": _rows(grouping, grouped(all_visits, grouping), figures(all_visits), language),
        "heat": heatmap(all_visits, found.timezone),
        "daily": grouped(all_visits, "day"),
        "visits": all_visits,
    }


@router.get(
    "/laporan", response_class=HTMLResponse, dependencies=[allow(roles=SUPERVISORS, page=True)]
)
def report_page(
    request: Request,
    ctx: Ctx,
    office: str | None = None,
    start: str | None = None,
    end: str | None = None,
    by: str = "day",
    lang: str | None = None,
) -> Response:
    """Figures by period or group, the peak-hour heatmap, and the export links."""
    data = _report(ctx, request, office, start, end, by, lang)
    if isinstance(data, Response):
        return data
    heat = data["heat"]
    peak = max((max(row) for row in heat), default=0)
    hours = [h for h in range(24) if any(row[h] for row in heat)] or list(range(7, 16))
    data["hours"] = list(range(min(hours), max(hours) + 1))
    data["heat_rows"] = [
        (
            translate(WEEKDAY_WORDS[d], data["lang"]),
            [
                (heat[d][h], 0 if not peak else min(5, -(-5 * heat[d][h] // peak)))
                for h in data["hours"]
            ],
        )
        for d in range(7)
    ]
    data["groups"] = [(key, translate(words, data["lang"])) for key, words in GROUP_WORDS.items()]
    data["trend"] = _trend(data["daily"], data["lang"])
    data["disruption_rows"] = _disruption_rows(ctx, data["office"].id, data["start"], data["end"],
                                               data["lang"])  # fmt: skip
    data.update(_consultation(ctx, data["office"].id, data["start"], data["end"], data["lang"]))
    return pages.TemplateResponse(request, "reports.html", data)


DISRUPTION_COLUMNS = (N_("Layanan"), N_("Bulan"), N_("Jumlah gangguan"), N_("Lama (menit)"),
                      N_("Lama (jam)"), N_("Nomor antrean terdampak"))  # fmt: skip
CONSULTATION_COLUMNS = (N_("Petugas (penjawab pertama)"), N_("Dijawab"),
                        N_("Jawaban pertama, median (menit)"), N_("Jawaban pertama, P90 (menit)"),
                        N_("% dijawab dalam target"))  # fmt: skip
TARGET_WORDS = {
    "calendar": N_("{hours} jam kalender"),
    "working": N_("{hours} jam kerja"),
}


def _disruption_rows(
    ctx: Context, office_id: int, first: date, last: date, lang: str
) -> list[list[str]]:
    """Disruption time and tickets affected per service and month (DISRUPTION_COLUMNS), for the
    page and the workbook alike."""
    from queue_server.services.disruptions import Disruptions

    services = ctx.queue.read(office_id).services
    rows = []
    for f in Disruptions(ctx.queue, ctx.settings.base_url()).figures(office_id, first, last):
        svc = services.get(f.service)
        name = (svc.name_en if lang == "en" else svc.name_id) if svc else f.service
        rows.append([name, f.month.strftime("%Y-%m"), str(f.count), f"{f.minutes:.0f}",
                     f"{f.hours:.1f}", str(f.tickets)])  # fmt: skip
    return rows


def _consultation(
    ctx: Context, office_id: int, first: date, last: date, lang: str
) -> dict[str, Any]:
    """The consultation desk's figures for the period (see services/consultation.py): the
    per-officer table (CONSULTATION_COLUMNS, the total last) and the conversations per day."""
    desk = Consultations(ctx.queue)
    with ctx.queue.db.read() as conn:
        target = desk.target(conn, office_id)
    found = desk.figures(office_id, first, last)

    def row(name: str, f: Any) -> list[str]:
        return [name, str(f.answered), _cell(f.median_minutes), _cell(f.p90_minutes),
                _cell(f.within_target_pct)]  # fmt: skip

    return {
        "consultation": found,
        "consultation_rows": [
            *(row(name, f) for name, f in found.per_officer.items()),
            row(translate(N_("Jumlah"), lang), found.total),
        ],
        "target_words": translate(TARGET_WORDS[target.count], lang, hours=target.hours),
        "disruption_header": [translate(c, lang) for c in DISRUPTION_COLUMNS],
        "consultation_header": [translate(c, lang) for c in CONSULTATION_COLUMNS],
    }


@router.get("/laporan.csv", dependencies=[allow(roles=SUPERVISORS, page=True)])
def report_csv(
    request: Request,
    ctx: Ctx,
    office: str | None = None,
    start: str | None = None,
    end: str | None = None,
    by: str = "day",
    lang: str | None = None,
) -> Response:
    """The same figures as CSV (opens in any spreadsheet)."""
    data = _report(ctx, request, office, start, end, by, lang)
    if isinstance(data, Response):
        return data
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(data["header"])
    writer.writerows(data["rows"])
    name = f"laporan-{data['office'].slug}-{data['start']}-{data['end']}-{data['by']}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/laporan.xlsx", dependencies=[allow(roles=SUPERVISORS, page=True)])
def report_xlsx(
    request: Request,
    ctx: Ctx,
    office: str | None = None,
    start: str | None = None,
    end: str | None = None,
    by: str = "day",
    lang: str | None = None,
) -> Response:
    """The same figures as an Excel workbook."""
    from openpyxl import Workbook

    data = _report(ctx, request, office, start, end, by, lang)
    if isinstance(data, Response):
        return data
    book = Workbook()
    sheet = book.active
    sheet.title = translate(N_("Laporan"), data["lang"])
    sheet.append(data["header"])
    for row in data["rows"]:
        sheet.append([_number(cell) for cell in row])
    office_id, lang = data["office"].id, data["lang"]
    more = _consultation(ctx, office_id, data["start"], data["end"], lang)
    for title, header, rows in (
        (N_("Gangguan layanan"), more["disruption_header"],
         _disruption_rows(ctx, office_id, data["start"], data["end"], lang)),
        (N_("Konsultasi"), more["consultation_header"], more["consultation_rows"]),
    ):  # fmt: skip
        extra = book.create_sheet(translate(title, lang))
        extra.append(header)
        for row in rows:
            extra.append([row[0], *(_number(cell) for cell in row[1:])])
    out = io.BytesIO()
    book.save(out)
    name = f"laporan-{data['office'].slug}-{data['start']}-{data['end']}-{data['by']}.xlsx"
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _trend(daily: dict[object, Figures], lang: str) -> dict[str, Any]:
    """Series for the trend chart: day (epoch seconds), arrivals, served, average wait."""
    days_ = [date.fromisoformat(str(day)) for day in daily]
    return {
        "days": [int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) for d in days_],
        "arrived": [f.arrived for f in daily.values()],
        "served": [f.served for f in daily.values()],
        "wait": [round(f.wait_avg, 1) if f.wait_avg is not None else None for f in daily.values()],
        "text": {
            "arrived": translate(COLUMNS[0][1], lang),
            "served": translate(COLUMNS[1][1], lang),
            "wait": translate(COLUMNS[7][1], lang),
        },
    }


def _number(cell: str) -> str | float:
    try:
        return float(cell)
    except ValueError:
        return cell


@router.get(
    "/laporan/harian",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def closing_report(
    request: Request,
    ctx: Ctx,
    office: str | None = None,
    day: str | None = None,
    lang: str | None = None,
) -> Response:
    """The daily closing report: served, not served, no-shows, by service and by counter."""
    data = _report(ctx, request, office, day, day, "service", lang)
    if isinstance(data, Response):
        return data
    day_visits, language = data["visits"], data["lang"]
    data["by_counter"] = _rows(
        "counter", grouped(day_visits, "counter"), figures(day_visits), language
    )
    counter_words = GROUP_WORDS["counter"]
    data["counter_header"] = [translate(counter_words, language), *data["header"][1:]]
    return pages.TemplateResponse(request, "closing.html", data)


@router.get(
    "/laporan/kebutuhan-loket",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def staffing_page(
    request: Request,
    ctx: Ctx,
    office: str | None = None,
    start: str | None = None,
    end: str | None = None,
    lang: str | None = None,
) -> Response:
    """How many counters each weekday and hour needs to keep the 90th-percentile wait within
    the services' target, from the period's arrivals and service times (Erlang C, checked by
    simulation in the tests)."""
    data = _report(ctx, request, office, start, end, "service", lang)
    if isinstance(data, Response):
        return data
    language, period, heat = data["lang"], data["visits"], data["heat"]
    total = figures(period)
    mean = total.service_avg if total.service_avg and total.service_avg >= 1 else 10.0
    target = statistics.fmean(v.target_minutes for v in period) if period else 15.0
    weeks = Counter(d.weekday() for d in days(data["start"], data["end"]))
    hours = [h for h in range(24) if any(row[h] for row in heat)] or list(range(8, 15))
    hours = list(range(min(hours), max(hours) + 1))
    needed = [
        [counters_needed(heat[d][h] / max(1, weeks[d]), mean, target) for h in hours]
        for d in range(7)
    ]
    advice = [
        translate(
            N_("{day} {start}-{end}: buka {n} loket"),
            language,
            day=translate(WEEKDAY_WORDS[a.weekday], language),
            start=f"{a.start_hour:02d}:00",
            end=f"{a.end_hour:02d}:00",
            n=a.counters,
        )
        for a in advise(needed, hours)
    ]
    data.update(
        hours=hours,
        needed=[(translate(WEEKDAY_WORDS[d], language), needed[d]) for d in range(7)],
        advice=advice,
        mean=mean,
        target=target,
        arrivals=total.arrived,
    )
    return pages.TemplateResponse(request, "staffing.html", data)
