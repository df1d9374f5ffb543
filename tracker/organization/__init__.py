"""The organization that uses the tracker (a province's, a commune's or, for history, a district's
People's Committee) as data: its name, header, place, signer, number series, recipients and the
report's fields. Read it through ``tracker.organization.services.current()``."""
