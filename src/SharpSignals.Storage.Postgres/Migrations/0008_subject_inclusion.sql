-- SSF 1.0 §8.1.3: a stream's subjects record the receiver's word on each, added (included) or
-- removed (excluded), since under default_subjects ALL a removed subject must stay out although it
-- was never added. Every row so far was an added subject, so it stays included: under NONE it means
-- what it meant; under ALL an added subject no longer narrows the stream to itself. From now on a
-- subject added or removed again replaces its row (a new seq, so it goes last): the list is in the
-- order of the receiver's latest word on each subject, and for routing the latest that matches decides.
ALTER TABLE stream_subjects ADD COLUMN included boolean NOT NULL DEFAULT true;
