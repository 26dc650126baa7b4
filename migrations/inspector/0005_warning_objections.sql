-- Where the business's objection to a warning this device signed stands (ст.49), as the server
-- sent it in pull: the record lists show it beside the warning. One row per warning (the newest
-- objection), replaced as the server sends news.
CREATE TABLE warning_objections (
    warning  TEXT PRIMARY KEY,
    body     TEXT NOT NULL
);
