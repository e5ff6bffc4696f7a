-- Each model's accuracy next to each class's frequency in one scope under each disambiguation policy.
with policy_frequency as (
    select class_id, policy, n_docs
    from class_frequency_by_policy
    where scope = $scope
),

model_accuracy as (
    select model, class_id, accuracy
    from accuracy
)

select
    model_accuracy.model,
    policy_frequency.policy,
    policy_frequency.class_id,
    policy_frequency.n_docs,
    model_accuracy.accuracy
from model_accuracy
join policy_frequency using (class_id)
order by policy_frequency.policy, model_accuracy.model, policy_frequency.class_id
