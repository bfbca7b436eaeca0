//! Sensor engine: the packet pipeline.
