"""The second stage: the stack a template would deploy (resolution), which resource plays which part (recognition),
and what the rules need to know of IAM and of inline Node.js code."""
