"""What each form says: the request (様式第1号), the decision and extension notices, the appeal.

Each function turns records into a layout.Document, taking every word that differs between
municipalities from the jurisdiction's form file (forms.py) and every value from the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..dates import format_wareki
from ..errors import BadInput
from ..schema import METHODS
from .forms import Forms
from .layout import BOX, TICKED, Cell, Document, Row, Space, Table, fields, text

if TYPE_CHECKING:  # the request form is also filled in from plain rows (records.py), without the models
    from ..models import Body, Decision, Event, Request, Requester

LABEL_W = 42.0          # mm: the label column of the ruled tables
TITLE_SIZE = 16.0
BLOCK_INDENT = 80.0     # mm: where the requester's (or sender's) block begins


@dataclass
class Office:
    """The implementing body (実施機関) a form is addressed to or comes from, with its jurisdiction.

    (Not a "party": in kaiji that word is the third party (第三者) of `request consult --party`.)
    """

    body: Body

    def values(self) -> dict[str, str]:
        jur = self.body.jurisdiction
        return {"ordinance": jur.ordinance, "jurisdiction": jur.name, "body": self.body.name,
                "head": self.body.head, "head_name": self.body.head_name or ""}


def _case_values(forms: Forms, office: Office, req: Request) -> dict[str, str]:
    """What a notice or an appeal about `req` fills in: the body's values, the request's date, and the
    審査庁 the 教示 and the 審査請求書 name (Body.appeal_to)."""
    return {**office.values(), "request_date": wareki(req.filed_on, forms), "appeal_authority": office.body.appeal_to}


def wareki(d: date | None, forms: Forms) -> str:
    return format_wareki(d) if d else forms.data["blank_date"]


def _list_block(heading: str, items: list[str], size: float = 9.5, before: float = 3,
                numbered: bool = True) -> list[Table | Space]:
    """A heading (注, 注意, 教示) over numbered paragraphs, or beside unnumbered ones (（注）); the
    heading never stays behind alone."""
    if not items:
        return []
    if not numbered:
        w = len(heading) * size * 25.4 / 72 + 1
        rows = [Row([Cell(heading if i == 0 else "", width=w), Cell(item)]) for i, item in enumerate(items)]
        return [Space(before), Table(rows, size=size, ruled=False, pad=0.3, keep=True)]
    rows = [Row([Cell(str(i), width=7, align="center"), Cell(item)]) for i, item in enumerate(items, 1)]
    return [Space(before), Table(rows, header=[Row([Cell(heading)])], size=size, ruled=False, pad=0.3, keep=True)]


def _label_width(labels: list[str], size: float = 10.5) -> float:
    """mm for a column of labels set in one line each (full-width characters are 1em wide), within reason."""
    return min(60.0, max(20.0, max(map(len, labels), default=0) * size * 25.4 / 72 + 3))


def _title(title: str) -> list[Table | Space]:
    return [Space(1), text(title, size=TITLE_SIZE, align="center"), Space(4)]


def _ruled(rows: list[tuple[str, str, float]]) -> Table:
    """The label | value table every form has; each row is (label, value, least height in mm)."""
    return Table([Row([Cell(label, width=LABEL_W, label=True, valign="middle"), Cell(value)], height=h)
                  for label, value, h in rows])


def _requester_block(forms: Forms, f: dict, r: Requester | None) -> Table:
    """The requester's block as the form file lays it out for a person, a group or a blank form."""
    blocks = f["block"]
    rows = blocks[r.kind if r is not None else "blank"]
    if isinstance(rows, str):                  # shares another kind's block
        rows = blocks[rows]
    who = {k: (getattr(r, k, None) or "") if r else ""
           for k in ("address", "name", "phone", "representative", "contact_name", "contact_phone")}
    who["signer"] = _addressee(r) if r else ""
    side_w = _label_width([x["side"] for x in rows if "side" in x]) if any("side" in x for x in rows) else 0.0
    label_w = _label_width([x["label"] for x in rows if "label" in x])
    out = []
    for x in rows:
        side = [Cell(x.get("side", ""), width=side_w)] if side_w else []
        if "text" in x:
            out.append(Row([*side, Cell(x["text"], size=9.5)]))
        else:
            out.append(Row([*side, Cell(x["label"], width=label_w, label=True), Cell(forms.fill(x["value"], who))],
                           height=0 if r else 7.5))   # a blank form: room to write by hand
    return Table(out, ruled=False, indent=BLOCK_INDENT - 4 - side_w, pad=0.6, keep=True)


# ---------------------------------------------------------------- 様式第1号: the request

def request_document(forms: Forms, body: Body | None, req: Request | None) -> Document:
    """The request form filled in from `req`, or an empty one to fill in by hand when req is None."""
    f = forms.section("request")
    # Without a body (a blank generic form) the addressee and the ordinance are left to be written in.
    values = Office(body).values() if body else {"ordinance": f["blank_ordinance"], "jurisdiction": "", "body": "",
                                                "head": "", "head_name": ""}
    r = req.requester if req else None
    addressee = forms.fill(f["addressee"], values) if body else f["blank_addressee"]
    opening = forms.fill(f["opening"], values)

    methods = set(req.methods.split(",")) if req else set()
    labels = f["methods_text"]
    method_line = "　".join((TICKED if k in methods else BOX) + labels[k] for k in METHODS)
    if req is not None and "copy" in methods:
        mail = f"{TICKED}{f['yes']}　{BOX}{f['no']}" if req.mail else f"{BOX}{f['yes']}　{TICKED}{f['no']}"
    else:
        mail = f"{BOX}{f['yes']}　{BOX}{f['no']}"
    method_line += forms.fill(f["mail_line"], {"mail": f["mail"], "choices": mail})

    rows = [(f["subject"], req.subject if req else "", f["subject_height"]),
            (f["methods"], method_line, 0.0),
            (f["reason"], (req.reason or "") if req else "", f["reason_height"])]
    office = f["office"]
    if f["office_in_table"]:                   # the ※ boxes as rows of the table
        rows += [(o["label"], o["text"], 10.0) for o in office]
        boxes: list[Table | Space] = []
    else:                                      # … or a row of boxes below it
        widths = [50.0, 62.0, 0.0]
        boxes = [Space(5), Table([Row([Cell(o["label"], width=w, align="center") for o, w in zip(office, widths)])]
                                 + [Row([Cell(o["text"], width=w, align="center") for o, w in zip(office, widths)],
                                        height=18)], keep=True)]
    title, after = _title(f["title"]), f["title_position"] == "after_requester"
    blocks: list[Table | Space] = [
        *([Space(2)] if after else title),
        text(wareki(req.filed_on if req else None, forms), align="right"),
        Space(3),
        text(addressee, size=12),
        Space(3),
        *([text(f["requester"], indent=BLOCK_INDENT - 12)] if f["requester"] else []),
        _requester_block(forms, f, r),
        *([Space(3), *title] if after else [Space(5)]),
        text("　" + opening),
        Space(3),
        _ruled(rows),
        *boxes,
        *_list_block(f["notes_heading"], f["notes"], numbered=f["notes_numbered"]),
    ]
    return Document(f["title"], blocks, f["number"])


# ---------------------------------------------------------------- 様式第2号〜第7号の2: notices

def _addressee(r: Requester | None) -> str:
    if r is None:
        return "　" * 10
    if r.kind == "group" and r.representative:
        return f"{r.name}\n代表　{r.representative}"
    return r.name


def _notice_head(forms: Forms, sec: dict, values: dict[str, str], requester: Requester | None,
                 number: str | None, on: date) -> list[Table | Space]:
    return [
        text(number or sec["number_blank"], align="right"),
        text(wareki(on, forms), align="right"),
        Space(2),
        text(forms.fill(sec["addressee"], {**values, "requester": _addressee(requester)}), size=11.5),
        Space(2),
        text(forms.fill(sec["sender"], values).strip(), align="right", size=11.5),
        *_title(sec["title"]),
        text("　" + forms.fill(sec["opening"], values)),
    ]


def _department(forms: Forms, sec: dict, dept) -> str:
    if dept is None:
        return ""
    v = sec["values"]
    ext = forms.fill(v["extension"], {"extension": dept.extension}) if dept.extension else ""
    return forms.fill(v["department"], {"name": dept.name, "phone": dept.phone or "", "extension": ext}).strip()


def _withheld_table(forms: Forms, sec: dict, d: Decision, values: dict[str, str]) -> Table:
    """Each withheld part with its ground and reason; the header comes again on every page it runs onto."""
    lab = sec["labels"]
    widths = (32.0, 32.0, 0.0)
    header = Row([Cell(lab["withheld"], width=LABEL_W, label=True, valign="middle"),
                  *[Cell(lab[k], width=w, align="center") for k, w in
                    zip(("withheld_part", "withheld_ground", "withheld_reason"), widths)]])
    rows = [Row([Cell("", width=LABEL_W, join_above=True),
                 Cell(w.part, width=widths[0], label=True),   # named again where its reason runs on
                 Cell(forms.fill(sec["values"]["ground"], {**values, "ground": w.ground}), width=widths[1]),
                 Cell(w.reason)]) for w in d.withheld]
    return Table(rows, header=[header])


def _decision_rows(forms: Forms, sec: dict, req: Request, d: Decision, values: dict[str, str]
                   ) -> list[Table | Space]:
    """The notice's table: the rows its form lists, in its order, each filled from the decision."""
    lab, v = sec["labels"], sec["values"]
    blocks: list[Table | Space] = []
    pending: list[tuple[str, str, float]] = []

    def flush() -> None:
        if pending:
            blocks.append(_ruled(list(pending)))
            pending.clear()

    titles = [x.title for x in d.documents]
    docs = "\n".join(f"{i}　{t}" for i, t in enumerate(titles, 1)) if len(titles) > 1 else "".join(titles)
    for key in sec["rows"]:                      # least heights in mm keep short rows looking like a form
        if key == "documents":
            pending.append((lab[key], docs or v["no_documents"], 8.0))
        elif key == "requested":
            pending.append((lab[key], docs or req.subject, 10.0))
        elif key == "disclosure":
            pending.append((lab[key], forms.fill(v["disclosure"], {
                "date": wareki(d.disclosure_on, forms), "time": d.disclosure_time or v["blank_time"],
                "place": d.disclosure_place or ""}), 0.0))
        elif key == "methods":
            keys = (d.disclosure_methods or req.methods or "").split(",")
            pending.append((lab[key], "、".join(METHODS[k] for k in keys if k in METHODS), 0.0))
        elif key == "withheld":
            if d.withheld and "withheld" in v:     # the parts written out in one cell, as the form file says
                pending.append((lab[key], "\n".join(forms.fill(v["withheld"], {
                    "part": w.part, "reason": w.reason,
                    "ground": forms.fill(v["ground"], {**values, "ground": w.ground})}) for w in d.withheld), 14.0))
            elif d.withheld:                       # … or as a table of part, ground and reason
                flush()
                blocks.append(_withheld_table(forms, sec, d, values))
            else:                       # 不存在, 存否応答拒否, 却下: the decision's own reason
                pending.append((lab[key], d.reason or "", 14.0))
        elif key == "later_on":
            day = format_wareki(d.later_on) if d.later_on else v.get("later_on_blank", forms.data["blank_date"])
            pending.append((lab[key], forms.fill(v["later_on"], {"date": day}), 0.0))
        elif key == "department":            # the notice's own, else the one handling the request
            pending.append((lab[key], _department(forms, sec, d.department or req.department), 0.0))
        elif key == "remarks":
            lines = [d.remarks] if d.remarks else []
            if d.fee is not None:
                lines.append(forms.fill(v["fee"], {"fee": f"{d.fee:,}"}))
            pending.append((lab[key], "\n".join(lines), 8.0))
        else:
            raise _unknown_row(forms, key)
    flush()
    return blocks


def _unknown_row(forms: Forms, key: str) -> BadInput:
    return BadInput(f"the form file {forms.where} lists a row {key!r} that kaiji cannot fill; check the spelling.")


def _closing(forms: Forms, sec: dict, values: dict[str, str]) -> list[Table | Space]:
    blocks = _list_block(sec["cautions_heading"], sec.get("cautions", []))
    if sec.get("instruction"):
        said = [forms.fill(t, values) for t in sec["instruction_text"]]
        blocks += _list_block(sec["instruction_heading"], said, size=8.5, before=1 if sec.get("cautions") else 3)
    return blocks


def notice_document(forms: Forms, office: Office, req: Request, d: Decision) -> Document:
    """The decision notice for d's kind (全部開示, 部分開示, 不開示, 存否応答拒否, 不存在; 却下 as 不開示)."""
    sec = forms.notice(d.kind)
    values = _case_values(forms, office, req)
    blocks = [*_notice_head(forms, sec, values, req.requester, d.notice_number, d.decided_on), Space(3),
              *_decision_rows(forms, sec, req, d, values), *_closing(forms, sec, values)]
    return Document(sec["title"], blocks, sec.get("number", ""))


def extension_document(forms: Forms, office: Office, req: Request, e: Event) -> Document:
    """The extension notice (延長, 様式第7号) or the special extension notice (特例延長, 様式第7号の2)."""
    sec = forms.notice(e.kind)
    values = _case_values(forms, office, req)
    lab, v = sec["labels"], sec["values"]
    data = e.data or {}

    def until(key: str) -> str:
        return forms.fill(v["until"], {"date": wareki(date.fromisoformat(data[key]), forms)}) if data.get(key) else ""

    cells = {"requested": (req.subject, 10.0), "new_due": (until("new_due"), 0.0),
             "part_due": (until("part_due"), 0.0), "rest_due": (until("rest_due"), 0.0),
             "extension_reason": (data.get("reason") or "", 14.0), "special_reason": (data.get("reason") or "", 14.0),
             "department": (_department(forms, sec, req.department), 0.0)}
    rows = []
    for key in sec["rows"]:
        if key not in cells:
            raise _unknown_row(forms, key)
        rows.append((lab[key], *cells[key]))
    blocks = [*_notice_head(forms, sec, values, req.requester, None, e.on), Space(3), _ruled(rows),
              *_closing(forms, sec, values)]
    return Document(sec["title"], blocks, sec.get("number", ""))


# ---------------------------------------------------------------- 審査請求書: the appeal

@dataclass
class Appeal:
    """What the appeal says beyond the records: its date, purpose, reasons and the instruction given."""

    on: date
    reasons: str | None = None
    purpose: str | None = None
    instruction: str | None = None     # None: the instruction the notice form carries


def appeal_document(forms: Forms, office: Office, req: Request, d: Decision | None, appeal: Appeal,
                    decision_due: date | None) -> Document:
    """審査請求書 against decision d (行政不服審査法第19条第2項), or against inaction when d is None (第19条第3項)."""
    f = forms.section("appeal")
    r = req.requester
    values = {**_case_values(forms, office, req), "subject": req.subject,
              "received": wareki(req.received_on, forms), "due": wareki(decision_due, forms)}
    lines = f["appellant_lines"]["group" if r is not None and r.kind == "group" else "person"]
    who = {k: (getattr(r, k, None) or "") if r else "" for k in ("address", "name", "representative", "phone")}
    appellant = forms.fill(lines, who)
    if d is not None:
        sec = forms.notice(d.kind)
        values |= {"decided": wareki(d.decided_on, forms), "number": d.notice_number or "",
                   "decision_name": sec["title"].removesuffix("通知書"), "notice_title": sec["title"]}
        values["decision"] = forms.fill(f["the_decision"], values)
        said = forms.fill(sec["instruction_text"][0], values).split("。")[0] + "。"   # its first sentence
        instruction = appeal.instruction or forms.fill(f["instruction_given"], {**values, "instruction": said})
        purpose = appeal.purpose or forms.fill(f["purpose"][d.kind], values)
        reasons = appeal.reasons or ""
        order, opening, attachments = f["rows"], f["opening"], forms.fill(f["attachments"], values)
    else:
        instruction = ""
        purpose = appeal.purpose or forms.fill(f["purpose"]["inaction"], values)
        reasons = appeal.reasons or forms.fill(f["inaction_reasons"], values)
        order, opening = f["inaction_rows"], f["inaction_opening"]
        attachments = forms.fill(f["inaction_attachments"], values)
    cells = {
        "appellant": (appellant, 0.0),
        "decision": (forms.fill(f["decision"], values) if d is not None else "", 0.0),
        "request": (forms.fill(f["request"], values), 0.0),
        "learned": (wareki(d.notified_on if d else None, forms), 0.0),
        "purpose": (purpose, 0.0),
        "reasons": (reasons, 0.0 if reasons else f["reasons_height"]),
        "instruction": (instruction, 0.0),
        "filed": (wareki(appeal.on, forms), 0.0),
        "attachments": (attachments, 0.0),
    }
    rows = []
    for i, key in enumerate(order, 1):
        if key not in cells:
            raise _unknown_row(forms, key)
        value, height = cells[key]
        rows.append(Row([Cell(str(i), width=7, align="center", label=True, valign="middle", again=str(i)),
                         Cell(f["labels"][key], width=47, label=True, valign="middle"), Cell(value)], height=height))
    signer = (f"{who['name']}\n代表者　{who['representative']}" if r is not None and r.kind == "group"
              and who["representative"] else who["name"])
    blocks = [
        *_title(f["title"]),
        text(wareki(appeal.on, forms), align="right"),
        Space(3),
        text(forms.fill(f["addressee"], values), size=12),
        Space(3),
        fields([(f["appellant"], signer)], indent=BLOCK_INDENT - 4, label_width=_label_width([f["appellant"]]),
               heights=0 if r else 14),
        Space(5),
        text("　" + opening),
        Space(3),
        Table(rows),
    ]
    return Document(f["title"], blocks)
