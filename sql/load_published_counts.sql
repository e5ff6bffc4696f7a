-- Sentences mentioning each tokenized class name per stage × role × matching rule, summed over the shards.
create or replace table published_name_counts as
with shard_counts as (
    select name_key, stage, role, edges, lemmas, n_sentences
    from read_parquet($count_files)
)

select
    name_key,
    stage,
    role,
    edges,
    lemmas,
    sum(n_sentences)::bigint as n_sentences
from shard_counts
group by name_key, stage, role, edges, lemmas
order by name_key, stage, role, edges, lemmas
