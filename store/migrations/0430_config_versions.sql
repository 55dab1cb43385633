-- Config versions saved from the admin page: each is a whole set of the
-- editable routing sections (one row per section), made over its parent.
-- The config file is version 0 and is never stored here. History is
-- append-only: rolling back saves an old version's content as a new one.
CREATE TABLE config_versions (
	version INTEGER PRIMARY KEY,
	time    TEXT NOT NULL,
	author  TEXT NOT NULL,
	comment TEXT NOT NULL,
	parent  INTEGER NOT NULL,
	changed TEXT NOT NULL, -- JSON array of the sections that differ from the parent
	base    TEXT NOT NULL  -- hash of the config file's sections it was made over
);
CREATE TABLE config_version_sections (
	version INTEGER NOT NULL REFERENCES config_versions(version),
	section TEXT NOT NULL,
	yaml    TEXT NOT NULL,
	PRIMARY KEY (version, section)
);
CREATE TRIGGER config_versions_no_update BEFORE UPDATE ON config_versions
BEGIN SELECT RAISE(ABORT, 'config_versions is append-only'); END;
CREATE TRIGGER config_versions_no_delete BEFORE DELETE ON config_versions
BEGIN SELECT RAISE(ABORT, 'config_versions is append-only'); END;
CREATE TRIGGER config_version_sections_no_update BEFORE UPDATE ON config_version_sections
BEGIN SELECT RAISE(ABORT, 'config_version_sections is append-only'); END;
CREATE TRIGGER config_version_sections_no_delete BEFORE DELETE ON config_version_sections
BEGIN SELECT RAISE(ABORT, 'config_version_sections is append-only'); END;
