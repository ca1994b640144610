-- When a project's flag last changed, and from what: the weekly digest lists the week's changes.
ALTER TABLE project_flags ADD COLUMN previous_colour TEXT;
ALTER TABLE project_flags ADD COLUMN changed_at TEXT;
