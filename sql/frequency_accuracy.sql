-- Each model's accuracy on each class next to that class's frequency in each scope, and the
-- reference model's accuracy on the same class ($reference_model; null when none is set).
with frequency as (
    select class_id, class_index, wnid, display_name, scope, n_docs, n_mentions, n_conversations
    from class_frequency_by_scope
),

model_accuracy as (
    select model, class_id, accuracy, n_samples
    from accuracy
),

reference_accuracy as (
    select class_id, accuracy as reference_accuracy
    from accuracy
    where model = $reference_model
)

select
    model_accuracy.model,
    frequency.scope,
    frequency.class_id,
    frequency.class_index,
    frequency.wnid,
    frequency.display_name,
    frequency.n_docs,
    frequency.n_mentions,
    frequency.n_conversations,
    model_accuracy.accuracy,
    model_accuracy.n_samples,
    reference_accuracy.reference_accuracy
from model_accuracy
join frequency using (class_id)
left join reference_accuracy using (class_id)
order by model_accuracy.model, frequency.scope, frequency.class_index
