-- API tokens expire (issue 13): a token made before this column existed
-- has NULL here and ends auth.MaxTokenLife after its creation.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
