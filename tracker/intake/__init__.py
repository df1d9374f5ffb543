"""Intake: a report comes in, proposed directives go out (DESIGN.md §7).

The reading and parsing modules are plain Python, no Flask and no database: ``reading`` and
``docx_reading`` turn an uploaded file into text, ``parser`` (with ``sections``, ``structure``,
``tables``, ``deadlines``, ``unit_names``, ``assignments``, ``proposal``) finds the priority
section and its tasks, ``routing`` proposes fields and units from the editable keyword table.
Around them: ``drafts`` (uploads awaiting review, the import itself), ``review`` and
``review_form`` (the preview as data: proposals, then the secretariat's choices read back),
``rules`` (the routing table's rows), ``views``/``rule_views`` (pages) and ``cli``
(``flask import-report``).
"""
