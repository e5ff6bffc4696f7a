-- The 20 classes mentioned in the most text units across all sources, with their split by stage.
with combined as (
    select class_id, display_name, n_docs
    from class_frequency_by_scope
    where scope = 'combined'
),

by_stage as (
    select
        class_id,
        sum(n_docs) filter (where stage = 'pretrain') as pretrain_docs,
        sum(n_docs) filter (where stage = 'instruct') as instruct_docs
    from class_frequency
    group by class_id
)

select combined.class_id, combined.display_name, combined.n_docs, by_stage.pretrain_docs, by_stage.instruct_docs
from combined
join by_stage using (class_id)
order by combined.n_docs desc, combined.class_id
limit 20
