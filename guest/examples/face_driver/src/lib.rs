#![no_std]
ugc_guest::script!();
