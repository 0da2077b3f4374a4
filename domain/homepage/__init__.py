"""首页推荐, banners and 公告: the mini-program home's content that operators manage."""
