-- sense model round, step 4 (see sense/term_priors.sql): the mentions whose strongest collocation is evidence
-- enough by itself (|llr| >= $band_llr, whatever the prior) are labelled by it for the next round; the others
-- abstain. Labels never depend on the prior, so a prior cannot feed on itself.
create or replace table sense_labels as
select mention, class_id, term, llr > 0 as label
from sense_decisions
where abs(llr) >= $band_llr
