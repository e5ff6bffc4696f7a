-- Per model, the accuracy keys left out, by kind: keys that resolved to no class, and keys that resolved to a
-- class another key of the model had already named; up to $limit examples each, in key order.
select
    models.model,
    models.source,
    models.n_keys,
    if(unresolved.reason like 'duplicate of %', 'duplicate', 'unresolved') as kind,
    count(*) as n_dropped,
    list(struct_pack(key := unresolved.key, reason := unresolved.reason) order by unresolved.key)[1:$limit] as examples
from accuracy_unresolved as unresolved
join accuracy_models as models using (model, source)
group by all
order by models.model, kind
