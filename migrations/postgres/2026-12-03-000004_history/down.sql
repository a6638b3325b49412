DROP TABLE sign_in_failures;
DROP TABLE audit_events;
