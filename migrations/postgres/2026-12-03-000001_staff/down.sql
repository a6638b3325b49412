DROP TABLE sessions;
DROP TABLE staff_accounts;
DROP TABLE app_settings;
