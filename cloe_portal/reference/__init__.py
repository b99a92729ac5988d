"""Reference data of the CLOE certification, in French: pure Python, no Flask, no database.

- ``domains``: the 33 specialisation domains (seed 000 §1.5);
- ``languages``: the five assessed languages;
- ``cefr_text``: descriptors of the 18 sub-levels, the major levels, the target-level grid
  help (seed 002, in our own words) and the oral criteria;
- ``oral_prompts``: the original oral prompt bank (introduction, role-plays, discussion);
- ``charter``: the CPF ethics charter (10 criteria) and the partner audit checklist.
"""
