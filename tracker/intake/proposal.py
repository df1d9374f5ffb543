"""One task's proposed lead and support units, unmatched names and unit groups.

Order of evidence: what the text itself assigns (assignments.py) first; only when it names no
lead unit does the editable routing table's topic rules propose the lead (and its supports).
A group ("các phường, xã") is proposed as one visible choice: when the text means all of them
its members are proposed, when it gives a number ("05 phường, xã") none is, and the
secretariat picks. A rule whose units cover a whole kind (every ward) is shown as that group
too, so it never expands silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.intake.assignments import (
    LEAD,
    SUPPORT,
    GroupMention,
    Mention,
    read_units,
    unit_cell,
)
from tracker.intake.routing import RuleHit, RuleSpec, rule_hits
from tracker.intake.unit_names import Catalogue

MAX_LEAD_UNITS = 2
MIN_GROUP = 3  # a rule covering every unit of a kind with at least this many is a group

GROUP_LABELS = {"ward": "phường, xã", "department": "phòng, ban, ngành"}


@dataclass
class UnitGroup:
    """A group the text or a rule names, shown as one choice the secretariat confirms or narrows.

    ``unit_codes``: the catalogue units the group can mean; ``count``: how many the text says
    (None: all of them, and they are proposed).
    """

    kind: str
    label: str
    role: str
    count: int | None
    unit_codes: list[str]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "role": self.role,
            "count": self.count,
            "unit_codes": list(self.unit_codes),
        }


@dataclass
class Unmatched:
    """A unit the text names that the catalogue lacks ("không có trong danh mục đơn vị")."""

    name: str
    role: str


@dataclass
class Proposal:
    field: str | None
    lead_units: list[str]
    support_units: list[str]
    unmatched: list[Unmatched] = field(default_factory=list)
    groups: list[UnitGroup] = field(default_factory=list)
    from_text: bool = False  # the lead came from the text's own words
    has_lead: bool = True


def propose(text: str, rules: list[RuleSpec], catalogue: Catalogue,
            cells: dict[str, str] | None = None) -> Proposal:
    leads_m, supports_m = _mentions(text, catalogue, cells or {})
    hits = rule_hits(text, rules)
    best_lead = next((h for h in hits if h.rule.role == LEAD and h.rule.unit_codes), None)
    if best_lead is not None and best_lead.rule.field:
        field_code = best_lead.rule.field
    else:
        field_code = next((h.rule.field for h in hits if h.rule.field), None)

    leads: list[str] = []
    supports: list[str] = []
    unmatched: list[Unmatched] = []
    groups: list[UnitGroup] = []
    explicit = bool(leads_m)
    for role, mentions, target in ((LEAD, leads_m, leads), (SUPPORT, supports_m, supports)):
        for mention in mentions:
            _take(mention, role, target, unmatched, groups, catalogue)
    if not explicit:
        _from_rules(text, hits, best_lead, catalogue, leads, supports, groups)
    # A counted group ("05 phường, xã") proposes none of its members, only those named.
    named = {m.unit.code for m in leads_m + supports_m if m.unit is not None}
    for group in groups:
        if group.count is not None:
            drop = set(group.unit_codes) - named
            leads[:] = [c for c in leads if c not in drop]
            supports[:] = [c for c in supports if c not in drop]
    leads = list(dict.fromkeys(leads))
    supports = [c for c in dict.fromkeys(supports) if c not in leads]
    return Proposal(
        field=field_code,
        lead_units=leads,
        support_units=supports,
        unmatched=_unique_unmatched(unmatched),
        groups=_merge_groups(groups),
        from_text=explicit,
        has_lead=bool(leads) or explicit or best_lead is not None,
    )


def _mentions(text: str, catalogue: Catalogue,
              cells: dict[str, str]) -> tuple[list[Mention], list[Mention]]:
    """Lead and support mentions of the text; a task table's unit columns win for the lead."""
    units = read_units(text, catalogue)
    leads_m, supports_m = units.leads, units.supports
    if cells.get("lead"):
        leads_m = unit_cell(cells["lead"], catalogue)
        supports_m = [m for m in supports_m if m not in leads_m]
    if cells.get("support"):
        supports_m = unit_cell(cells["support"], catalogue) + supports_m
    return leads_m, supports_m


def _from_rules(text: str, hits: list[RuleHit], best_lead: RuleHit | None, catalogue: Catalogue,
                leads: list[str], supports: list[str], groups: list[UnitGroup]) -> None:
    """No lead in the text: the routing table's best lead rule, the other rules as supports."""
    rule_supports: list[str] = []
    if best_lead is not None:
        codes = list(dict.fromkeys(best_lead.rule.unit_codes))
        leads.extend(codes[:MAX_LEAD_UNITS])
        rule_supports.extend(codes[MAX_LEAD_UNITS:])
    for hit in hits:
        if hit is not best_lead:
            rule_supports.extend(hit.rule.unit_codes)
            group = _rule_group(hit.rule, text[hit.first : hit.first_end], catalogue)
            if group is not None:
                groups.append(group)
    supports[:0] = rule_supports


def _take(mention: Mention, role: str, target: list[str], unmatched: list[Unmatched],
          groups: list[UnitGroup], catalogue: Catalogue) -> None:
    if mention.unit is not None:
        target.append(mention.unit.code)
    elif mention.group is not None:
        group = _text_group(mention.group, role, catalogue)
        if group is None:
            unmatched.append(Unmatched(mention.name, role))
            return
        groups.append(group)
        if group.count is None:
            target.extend(group.unit_codes)
    else:
        unmatched.append(Unmatched(mention.name, role))


def _text_group(mention: GroupMention, role: str, catalogue: Catalogue) -> UnitGroup | None:
    heads = mention.heads or None
    members = catalogue.of_kind(mention.kind, heads)
    if not members:
        return None
    return UnitGroup(mention.kind, mention.label, role, mention.count,
                     [unit.code for unit in members])


def _rule_group(rule: RuleSpec, label: str, catalogue: Catalogue) -> UnitGroup | None:
    codes = set(rule.unit_codes)
    for kind in GROUP_LABELS:
        members = [unit.code for unit in catalogue.of_kind(kind)]
        if len(members) >= MIN_GROUP and set(members) <= codes:
            return UnitGroup(kind, label.strip(" ,;.") or GROUP_LABELS[kind], rule.role, None,
                             members)
    return None


def _merge_groups(groups: list[UnitGroup]) -> list[UnitGroup]:
    """One entry per kind and role; a number the text gives wins over "all"."""
    out: list[UnitGroup] = []
    for group in groups:
        same = next((g for g in out if g.kind == group.kind and g.role == group.role), None)
        if same is None:
            out.append(group)
        elif group.count is not None and same.count is None:
            out[out.index(same)] = group
    return out


def _unique_unmatched(items: list[Unmatched]) -> list[Unmatched]:
    out: list[Unmatched] = []
    seen: set[str] = set()
    for item in items:
        key = re.sub(r"\W+", " ", item.name.lower()).strip()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
