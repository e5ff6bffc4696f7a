-- The text units' attributes, read from the document shards once for every table the count builds.
create or replace temp table text_units as
select doc_id, source, stage, role, conversation_id
from read_parquet($document_files)
