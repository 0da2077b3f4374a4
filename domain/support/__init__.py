"""Help and complaints: 帮助中心 FAQ articles and 投诉与反馈 tickets."""
