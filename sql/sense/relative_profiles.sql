-- What the text around each sense's relatives looks like in this corpus: for each flagged (class, term) and side
-- (class, other), the share of its single-word seeds' windows (sampled by the match stage: the first few
-- occurrences of each per shard) that hold each feature, each relative weighing the same however common it is, and
-- how many windows that is; only the features that some mention of the term has (see sense/relative_llr.sql).
create or replace table sense_relative_profiles as
with contexts as materialized (
    select relative, relative_feature as feature, sum(relative_n) as n
    from read_parquet($mention_files, union_by_name = true)
    where relative is not null
    group by all
),

occurrences as (
    select relative, n as n_occurrences
    from contexts
    where feature = '#'
),

mention_features as (
    select distinct feature
    from sense_features
),

rates as materialized (
    -- only the features some flagged mention has: the rest can never weigh on a decision
    select contexts.relative, contexts.feature, contexts.n / occurrences.n_occurrences as rate
    from contexts
    join occurrences using (relative)
    semi join mention_features using (feature)
),

relatives as (
    select sense_seeds.class_id, sense_seeds.term, sense_seeds.side, sense_seeds.feature as relative,
        occurrences.n_occurrences
    from sense_seeds
    join occurrences on occurrences.relative = sense_seeds.feature
),

present as (
    select class_id, term, side, count(*) as n_relatives, sum(n_occurrences) as n_occurrences
    from relatives
    group by all
),

wanted as (
    select distinct class_id, term, feature
    from sense_features
),

profiles as (
    select relatives.class_id, relatives.term, relatives.side, rates.feature, sum(rates.rate order by relatives.relative) as total_rate
    from relatives
    join rates using (relative)
    semi join wanted on wanted.class_id = relatives.class_id and wanted.term = relatives.term
        and wanted.feature = rates.feature
    group by all
)

select profiles.class_id, profiles.term, profiles.side, profiles.feature,
    profiles.total_rate / present.n_relatives as share, present.n_relatives, present.n_occurrences
from profiles
join present using (class_id, term, side)
