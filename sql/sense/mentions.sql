-- Where each flagged mention of the sense model (sense/features.sql names it by an integer) lies: its doc_id and start.
create or replace table sense_mentions as
select mention_key(file_index, file_row_number) as mention, doc_id, start
from read_parquet($mention_files, union_by_name = true)
where features is not null and term is not null
