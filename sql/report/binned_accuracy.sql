-- Mean accuracy per frequency bin, per model, scope and binning scheme.
select *
from binned_accuracy
order by model, scope, scheme, bin_index
