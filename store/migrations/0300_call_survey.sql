-- A call's post-call satisfaction score (1-5), from call.survey.
ALTER TABLE calls ADD COLUMN survey_score INTEGER;
