-- Mean accuracy of each model per decade of combined frequency (0, 1-9, 10-99, ...).
with joined as (
    select accuracy.model, accuracy.accuracy, frequency.n_docs
    from accuracy
    join class_frequency_by_scope as frequency using (class_id)
    where frequency.scope = 'combined'
),

binned as (
    select
        model,
        accuracy,
        case when n_docs = 0 then 'zero' else '1e' || floor(log10(n_docs))::int end as decade
    from joined
)

select model, decade, count(*) as n_classes, round(avg(accuracy), 3) as mean_accuracy
from binned
group by model, decade
order by model, decade
