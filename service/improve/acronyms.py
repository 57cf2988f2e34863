"""Common acronyms of English safeguarding reviews and what they stand for.

Used only to write a suggested rewrite in plain words when the document itself does not
define an acronym (its own glossary or inline definitions always come first). Expansions
are written as a lay reader would read them in a sentence (lower case unless a name).
"""

from __future__ import annotations

SAFEGUARDING_ACRONYMS: dict[str, str] = {
    "ASB": "anti-social behaviour",
    "CAMHS": "child and adolescent mental health services",
    "CCG": "clinical commissioning group",
    "CIN": "child in need",
    "CLA": "child looked after",
    "CP": "child protection",
    "CPP": "child protection plan",
    "CSC": "children's social care",
    "CSE": "child sexual exploitation",
    "CSPR": "child safeguarding practice review",
    "DA": "domestic abuse",
    "DASH": "domestic abuse, stalking and harassment risk checklist",
    "DSL": "designated safeguarding lead",
    "DV": "domestic violence",
    "ED": "emergency department",
    "EHA": "early help assessment",
    "EHCP": "education, health and care plan",
    "FGC": "family group conference",
    "HV": "health visitor",
    "ICB": "integrated care board",
    "ICPC": "initial child protection conference",
    "IMR": "individual management review",
    "IRO": "independent reviewing officer",
    "LA": "local authority",
    "LAC": "looked-after child",
    "LADO": "local authority designated officer",
    "LSCB": "local safeguarding children board",
    "LSCP": "local safeguarding children partnership",
    "MAPPA": "multi-agency public protection arrangements",
    "MARAC": "multi-agency risk assessment conference",
    "MASH": "multi-agency safeguarding hub",
    "MIU": "minor injuries unit",
    "NFA": "no further action",
    "OT": "occupational therapist",
    "PCSO": "police community support officer",
    "PLO": "public law outline",
    "RCPC": "review child protection conference",
    "SALT": "speech and language therapy",
    "SCP": "safeguarding children partnership",
    "SCR": "serious case review",
    "SENCO": "special educational needs co-ordinator",
    "SGO": "special guardianship order",
    "SW": "social worker",
    "TAF": "team around the family",
    "TOR": "terms of reference",
}
