-- One row per class for the report: frequency per stage, mean accuracy over models, and the terms that matched.
with frequency as (
    select
        class_id,
        any_value(class_index) as class_index,
        any_value(wnid) as wnid,
        any_value(display_name) as display_name,
        max(n_docs) filter (where scope = 'combined') as n_docs,
        max(n_docs) filter (where scope = 'pretrain') as pretrain_docs,
        max(n_docs) filter (where scope = 'instruct') as instruct_docs
    from class_frequency_by_scope
    group by class_id
),

model_accuracy as (
    -- rounded: a float average depends on the order threads add it up, and the report must not
    select class_id, round(avg(accuracy), 12) as mean_accuracy, count(*) as n_models
    from accuracy
    group by class_id
),

term_counts as (
    select class_id, term, count(*) as n_mentions
    from mentions
    group by class_id, term
),

matched_terms as (
    select class_id, string_agg(term || ' (' || n_mentions || ')', ', ' order by n_mentions desc, term) as matched_terms
    from term_counts
    group by class_id
)

select
    frequency.class_index,
    frequency.class_id,
    frequency.wnid,
    frequency.display_name,
    frequency.n_docs,
    frequency.pretrain_docs,
    frequency.instruct_docs,
    model_accuracy.mean_accuracy,
    model_accuracy.n_models,
    coalesce(matched_terms.matched_terms, '') as matched_terms
from frequency
left join model_accuracy using (class_id)
left join matched_terms using (class_id)
order by frequency.class_index, frequency.class_id
