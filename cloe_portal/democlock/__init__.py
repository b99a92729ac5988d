"""The demo clock: a non-production instance may run ahead of the real time.

Trainers and acceptance testers walk the whole process in one sitting (a booking starts
tomorrow at the earliest, and an oral is scored once its slot has started): the instance
starts at `CLOE_FAKE_NOW` (or `flask demo --now`) and a referent moves it forward from
`/demo/horloge`. The offset lives in the database so every worker and the scheduler agree.
"""
