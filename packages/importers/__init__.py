"""Importers: turn other platforms' course material into mooc pack sources.

- `olx`: an Open edX course export (Studio's .tar.gz, or its unpacked folder).
- `gift`: a Moodle GIFT question bank, as one quiz file.

Both produce TOML that `mooc pack check` accepts and an `ImportReport` listing
everything that could not come across, so nothing is dropped silently.
"""
