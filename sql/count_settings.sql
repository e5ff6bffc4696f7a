-- Settings of the count's connection. Row order is no table's definition, and keeping it makes DuckDB hold
-- large inserts in memory.
set preserve_insertion_order = false
