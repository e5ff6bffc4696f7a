-- Text units, conversations and words per source × stage × role: the denominators of every count.
create or replace table documents_summary as
select
    source,
    stage,
    role,
    count(*) as n_docs,
    count(distinct conversation_id) as n_conversations,
    sum(n_words)::bigint as n_words
from read_parquet($lemma_files)
group by source, stage, role
order by source, stage, role
