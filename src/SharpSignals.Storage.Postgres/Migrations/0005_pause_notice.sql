-- Where a pause the transmitter made takes effect: delivery goes on up to the stream-updated SET
-- announcing it, so the receiver hears of the pause before delivery stops (SSF 1.0 §8.1.5).
ALTER TABLE streams ADD COLUMN pause_notice_position bigint;
