//! End-to-end tests in one binary: a module per area and per platform.
//! Each drives a real grabkit server (or the `grabkit` binary) against the
//! TLS mock upstream on 127.0.0.1; nothing leaves the machine.

mod accounts;
mod admin_page;
mod api;
mod bilibili;
mod bilibili_data;
mod breaker;
mod cache;
mod canaries;
mod cases;
mod cli;
mod connections;
mod contracts;
mod crash;
mod douyin;
mod douyin_data;
mod feeds;
mod hostile;
mod instagram;
mod jobs;
mod keys;
mod kit;
mod kuaishou;
mod kuaishou_data;
mod loading;
mod mcp;
mod media_proxy;
mod openapi;
mod proxy;
mod reload;
mod sandbox;
mod tiktok;
mod tutorial;
mod twitter;
mod wechat_channels;
mod weibo;
mod xiaohongshu;
mod youtube;
mod youtube_data;
