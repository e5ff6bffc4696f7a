-- Per frequency scope: classes, classes never mentioned, and text units mentioning any class.
select
    scope,
    count(*) as n_classes,
    count(*) filter (where n_docs = 0) as n_zero,
    sum(n_docs)::bigint as class_mentions_docs,
    max(n_docs) as max_docs
from class_frequency_by_scope
group by scope
order by case when scope = 'combined' then 0 when scope like 'source:%' then 2 else 1 end, scope
