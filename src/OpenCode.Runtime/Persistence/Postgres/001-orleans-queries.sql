-- The table Orleans' ADO.NET providers read their queries from at start-up: each provider selects the keys it
-- needs and runs the text with its own parameters (@Name). The name and its two columns are fixed by the providers.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);
