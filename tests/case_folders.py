"""A small, valid case-level folder for tests to copy and break one rule at a time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

AS_OF = "2026-11-20"

VALID_FILES: dict[str, str] = {
    "units.csv": """region_code,region_name,pdu_code,pdu_name,team_code,team_name
R1,North,P1,Tyneside,T1,Tyneside Team 1
R1,North,P1,Tyneside,T2,Tyneside Team 2
""",
    "staff.csv": """staff_code,team_code,grade,forename,surname,contracted_hours,start_date,leave_date
S1,T1,PO,Ada,Brown,,2015-04-01,
S2,T1,PSO,Ben,Carter,18.5,2019-09-01,
S3,T2,PQiP,Cara,Davies,37,2026-03-01,
""",
    "cases.csv": """crn,staff_code,team_code,case_type,tier,t2a,flags,allocated_date
X000001,S1,T1,community,A3,false,,2025-01-02
X000002,S1,T1,licence,B2,,,2025-06-01
X000003,S1,T1,custody,C1,true,warrant,
X000004,S2,T1,community,D2,no,unpaid_work;priority,2026-02-03
X000005,S3,T2,license,B1S,,,
X000006,,T2,community,0,,,
""",
    "reports.csv": """staff_code,team_code,report_type,completed_date,crn
S1,T1,standard,2026-11-01,X000001
S2,T1,fast,2026-11-18,
S2,T1,oral,2026-11-18,
""",
    "contacts.csv": """contact_id,crn,contact_date,contact_type_code,staff_code,team_code
1,X000001,2026-11-19,CMS05,S2,T1
2,X000004,2026-11-10,CMS01,S1,T1
""",
    "reductions.csv": """staff_code,team_code,reason,hours,start_date,end_date,status,notes
S3,T2,PQiP first 6 months,29.6,2026-03-01,2026-09-01,active,
S3,T2,PQiP 6 to 12 months,22.2,2026-09-01,,active,
S1,T1,trade union facility time,3.5,2026-01-01,,deleted,entered in error
""",
    "snapshot.txt": f"{AS_OF}\n",
}


Changes = Mapping[str, str | bytes | None]


def write_folder(folder: Path, changes: Changes | None = None) -> Path:
    """Write the valid folder, with some files replaced (text, or bytes written as they are)
    or left out (None). Text is written as UTF-8 with the line endings given."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = {**VALID_FILES, **(changes or {})}
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        elif content is not None:
            (folder / name).write_bytes(content.encode("utf8"))
    return folder


def replace_line(name: str, old: str, new: str) -> dict[str, str | bytes | None]:
    """The valid file with one piece of text changed."""
    text = VALID_FILES[name]
    assert old in text, f"{old!r} is not in {name}"
    return {name: text.replace(old, new, 1)}
