DROP TABLE phone_numbers;
DROP TABLE constituents;
