-- The sense model's inputs (sql/sense/term_priors.sql and the next steps bootstrap on them): one row per mention of a flagged term ×
-- class that counts it × feature of the mention (the match stage's `features`: content lemmas within the window,
-- and the neighbours L:<lemma before>, R:<lemma after>). A mention is named by an integer (macros/mention_key.sql;
-- sense/mentions.sql keeps its doc_id and start), which every step groups and joins on. And each flagged (class, term)'s prior from WordNet
-- (the class sense group's share of the term's sense weight, 0.5 without WordNet, kept within [0.05, 0.95]).
create or replace table sense_features as
with flagged_terms as (
    select class_id, term
    from lexicon
    where status = 'counted' and flagged
),

features as (
    -- a mention is one shard row: with each list's repeats dropped, its rows are distinct already
    select mention_key(file_index, file_row_number) as mention, term, unnest(list_distinct(features)) as feature
    from read_parquet($mention_files, union_by_name = true)
    where features is not null and term is not null
)

select features.mention, flagged_terms.class_id, features.term, features.feature
from features
join flagged_terms using (term)
