"""The question types of the pack format, one module each (packages/questions.py lists them).

`base.py` holds what every type shares: the common fields and the hooks a type fills in
(its registry row, its parse from TOML, its right answer, its responses in words and in
xAPI form, the order its options are shown in). Each other module defines one type's
frozen dataclass (or two close ones: single and multiple choice) with those hooks, so
everything mooc knows about a type's data lives in one file.
"""
