-- The one definition of a mention's name in the sense model and the count: its mention shard's place in the list
-- of shards read (read_parquet's file_index, upper 32 bits) and its row there (file_row_number). Grouping and
-- joining on it is far cheaper than on (doc_id, start). A macro of the connection that runs the count's SQL.
create or replace temp macro mention_key(file_index, file_row_number) as (file_index::bigint << 32) | file_row_number
