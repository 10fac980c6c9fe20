"""The course-pack format: model, loading, validation, building, the local store, catalogs.

Never imports textual; keep imports here empty so `mooc` commands start fast.
"""
