//! The view API's answer (`x/web-interface/view`), typed: the fields a
//! parse reads, the rest of a large answer skipped unread.

use crate::api::{API, call_as};
use crate::streams::pixels;
use grabkit_sdk::prelude::*;
use grabkit_sdk::typed::{loose, nullable};

/// One video, as `data` of the view API.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct View {
    pub aid: Option<u64>,
    pub bvid: Option<String>,
    /// Set when the video plays as a bangumi episode (`…/ep123`).
    pub redirect_url: Option<String>,
    pub title: Option<String>,
    pub pic: Option<String>,
    /// Unix seconds.
    pub pubdate: Option<i64>,
    pub owner: Owner,
    pub stat: Stat,
    /// The first part's, for a video without `pages`.
    pub cid: Option<u64>,
    pub duration: Option<f64>,
    pub dimension: Dimension,
    #[serde(deserialize_with = "nullable")]
    pub pages: Vec<Part>,
}

#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct Owner {
    pub mid: Option<u64>,
    pub name: Option<String>,
}

/// Counts; one of another type (a display string) is left out.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct Stat {
    #[serde(deserialize_with = "loose")]
    pub view: Option<u64>,
    #[serde(deserialize_with = "loose")]
    pub like: Option<u64>,
    #[serde(deserialize_with = "loose")]
    pub reply: Option<u64>,
    #[serde(deserialize_with = "loose")]
    pub share: Option<u64>,
}

/// One part (`?p=`) of a multi-part video.
#[derive(Deserialize, Default)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct Part {
    pub cid: Option<u64>,
    /// The part's own title.
    pub part: Option<String>,
    pub duration: Option<f64>,
    pub dimension: Dimension,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(crate = "grabkit_sdk::serde", default)]
pub struct Dimension {
    width: Option<u64>,
    height: Option<u64>,
    /// 1 when width and height are to be swapped.
    rotate: Option<u64>,
}

impl View {
    /// The view API's answer for a video by `("bvid", "BV…")` or `("aid", "123")`.
    pub fn fetch(client: &Client, (key, id): (&str, &str)) -> Result<Self> {
        let url = format!("{API}/x/web-interface/view?{key}={id}");
        call_as(client, "view API", &url)
    }

    /// The video as its only part, for an answer without `pages`.
    pub fn as_part(&self) -> Part {
        Part {
            cid: self.cid,
            part: None,
            duration: self.duration,
            dimension: self.dimension,
        }
    }

    /// The bangumi episode the video plays as, if it is one.
    pub fn bangumi_episode(&self) -> Option<String> {
        let tail = self.redirect_url.as_deref()?.split("/ep").nth(1)?;
        let ep: String = tail.chars().take_while(char::is_ascii_digit).collect();
        (!ep.is_empty()).then_some(ep)
    }
}

impl Dimension {
    /// From an answer held as JSON (a season's episode); absent if not one.
    pub fn of(v: &Value) -> Self {
        Self::deserialize(v).unwrap_or_default()
    }

    /// Width and height, swapped when the video is rotated.
    pub fn size(self) -> (Option<u32>, Option<u32>) {
        let (w, h) = (pixels(self.width), pixels(self.height));
        match self.rotate {
            Some(1) => (h, w),
            _ => (w, h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_answer_reads_with_nulls_and_odd_counts() {
        let view: View = serde_json::from_value(json!({
            "aid": 170001, "bvid": "BV17x411w7KC", "title": "t",
            "owner": {"mid": 9, "name": "up", "face": "f"},
            "stat": {"view": "1.2万", "like": 5, "reply": null},
            "pages": null, "cid": 279786, "duration": 30,
            "dimension": {"width": 1080, "height": 1920, "rotate": 1},
            "rights": {"download": 1}, "desc_v2": [{"raw_text": "x"}]
        }))
        .unwrap();
        assert_eq!((view.stat.view, view.stat.like), (None, Some(5)));
        assert!(view.pages.is_empty());
        let part = view.as_part();
        assert_eq!((part.cid, part.duration), (Some(279786), Some(30.0)));
        assert_eq!(part.dimension.size(), (Some(1920), Some(1080)));
    }

    #[test]
    fn a_bangumi_redirect_names_its_episode() {
        let view = |u: &str| View {
            redirect_url: Some(u.into()),
            ..View::default()
        };
        let ep = view("https://www.bilibili.com/bangumi/play/ep702596?x=1");
        assert_eq!(ep.bangumi_episode().as_deref(), Some("702596"));
        assert_eq!(view("https://b/other").bangumi_episode(), None);
        assert_eq!(View::default().bangumi_episode(), None);
    }
}
